"""The BBI container (bigBed; the layout is shared with bigWig).

Read side (pure Python, standard library only): layout, bptree, rtree, reader.
Write side: writer and zoom, which may use the compiled kernels.  Writers never import
the reader; shared structure lives in layout, bptree and rtree.
"""
