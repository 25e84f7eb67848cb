live ps.txt -- ps -ef
live ps.txt.stderr -- true
