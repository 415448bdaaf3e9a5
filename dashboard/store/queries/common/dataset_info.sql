SELECT data_as_of, last_load_at FROM dataset_info;
