--libvirt=11.3
--machine=q35
--explain
-o
/dev/null
examples/minimal-pc.xml
