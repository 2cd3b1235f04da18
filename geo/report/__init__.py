"""The report pack and the export descriptions: gathers a page's data through the services, draws with the renderers."""
