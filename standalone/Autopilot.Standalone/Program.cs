// Placeholder until the stand-alone host is written.
return 0;
