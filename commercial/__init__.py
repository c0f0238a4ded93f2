"""The cooperatives' products and the sales advisers' pipeline."""
