tests/xml-in/q35-009-238-virtio-disks-too-many.xml
