"""SIS Data Prep: Schoology user mapping reports as Excel workbooks."""
