--explain
-r
3
--root-ports=16
-o
/dev/null
examples/server-q35.xml
