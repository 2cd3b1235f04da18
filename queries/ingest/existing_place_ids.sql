-- Place ids already loaded (an appended file may not reuse one).
select place_id from places
