"""Reading and writing spreadsheets the way departments really fill them."""
