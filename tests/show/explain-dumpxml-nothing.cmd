--explain
-o
/dev/null
tests/xml-out/q35-003-desktop.xml
