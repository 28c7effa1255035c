--libvirt=11.3
--machine=s390-ccw-virtio
tests/xml-in/s390x-001-minimal.xml
