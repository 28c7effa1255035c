--explain
-o
/dev/null
examples/minimal-pc.xml
