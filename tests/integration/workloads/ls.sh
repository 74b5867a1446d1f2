# ls -la / (volatile entries dropped: process count, /tmp and /run change)
ls -la / | grep -v -E ' (proc|tmp|run)$'
ls -la /usr/include | head -50
