--explain
-o
/dev/null
--root-ports=8
tests/xml-in/q35-034-sound-models.xml
