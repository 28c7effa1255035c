--show=tree
--reserve=3
examples/server-q35.xml
