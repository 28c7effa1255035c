--explain
-o
/dev/null
examples/desktop-q35.xml
