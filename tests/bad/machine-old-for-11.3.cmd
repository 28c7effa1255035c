--libvirt=11.3
--machine=pc-i440fx-2.1
examples/minimal-pc.xml
