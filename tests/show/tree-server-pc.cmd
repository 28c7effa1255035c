--show=tree
examples/server-pc.xml
