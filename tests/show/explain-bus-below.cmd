--explain
-o
/dev/null
tests/xml-in/q35-214-virtio-nic-and-ich6-sound.xml
