/proc/self/mem
