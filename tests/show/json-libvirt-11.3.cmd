--libvirt=11.3
--show=json
examples/minimal-pc.xml
