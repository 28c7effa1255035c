-o
/dev/null
tests/bad/lint-no-hotplug-room.xml
