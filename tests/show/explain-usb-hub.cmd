--explain
-o
/dev/null
tests/xml-in/pc-121-usb-ports-exhausted.xml
