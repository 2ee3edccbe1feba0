"""National: the Ministry's consolidation of the provinces' SDMX-CSV files, a sibling of the province round."""
