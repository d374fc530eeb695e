"""The solution as one xarray Dataset, run folders written atomically, the batch index, pathway Datasets."""
