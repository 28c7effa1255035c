--show=tree
tests/xml-in/pc-050-60-virtio-disks.xml
