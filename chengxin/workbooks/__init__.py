"""Excel in and out: the statistics table as a workbook.

Pure functions only (no database writes): `safety` refuses files that are not plain .xlsx workbooks,
`template` builds a unit's fill-in template, `parse` reads filled workbooks (the product's own template and
the layout of the notice's attachment) into values per figure and problems named `FILE!SHEET!CELL`,
`compound` splits one printed cell that holds two figures. Saving goes through reporting's services.
"""
