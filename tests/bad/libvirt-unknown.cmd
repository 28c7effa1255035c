--libvirt=8.0
examples/minimal-pc.xml
