-- --replace for places: remove every place of the layers the imported file brings (e.g. all accommodation
-- before an official register of hotels and homestays is loaded).
delete from places
where list_contains($layers, layer)
