# a scrubbed environment: the child must look as without the interposer
env -i /bin/sh -c 'env | sort; echo "path: $PATH"'
env -i PATH=/usr/bin sh -c 'exec env' | sort
