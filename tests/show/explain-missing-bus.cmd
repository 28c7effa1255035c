--explain
-o
/dev/null
tests/xml-in/pc-062-device-on-bus3-no-controllers.xml
