--explain
-o
/dev/null
tests/xml-in/q35-020-e1000-bus1-slot1.xml
