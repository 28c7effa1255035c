--capacity
-o
/dev/null
tests/xml-out/pc-050-60-virtio-disks.xml
