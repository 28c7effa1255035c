--explain
-o
/dev/null
tests/show/explain-multifunction.xml
