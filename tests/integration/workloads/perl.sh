# perl: system, fork, backticks, files
perl -e '
  print "perl ", 6 * 7, "\n";
  system("true"); print "system status $?\n";
  my $out = `echo backtick`; print $out;
  my $pid = fork(); if ($pid == 0) { exit 7 } waitpid($pid, 0); print "child ", $? >> 8, "\n";
  open(my $f, ">", "p.txt") or die; print $f "line\n" x 10; close $f;
  print -s "p.txt", "\n"; unlink "p.txt";
'
