"""Read side of commercial support: catalogue, pipeline board, activities, analysis."""
