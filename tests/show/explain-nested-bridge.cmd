--explain
-o
/dev/null
tests/xml-in/pc-052-59-virtio-nics.xml
