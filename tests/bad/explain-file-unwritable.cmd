--explain=/nonexistent-dir/explain.txt
-o
/dev/null
examples/minimal-pc.xml
