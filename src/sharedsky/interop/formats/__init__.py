"""The field's exchange formats, in and out: one module per format.

Every export writer takes an ``ExportSet`` (``model.py``): what one caller may see, already cut
by the visibility rules of every read (the API builds it from the same queries), so a writer
never decides visibility and can never leak what a read would hide.
"""
