--show=tree
--check
examples/minimal-pc.xml
