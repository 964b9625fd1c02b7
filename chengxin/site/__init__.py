"""Running the whole site: `chengxin serve` and the demo-data generator, above every domain app."""
