/*
 * How long this machine's swap writes take, seen from user space: N written private anonymous
 * pages are paged out with MADV_PAGEOUT (time per page of the call, and nr_writeback right
 * after it), then /proc/vmstat nr_writeback is polled until it is 0; then five single pages.
 * Needs swap. Build: cc -O2 -o /tmp/pl pageout-latency.c; run: sudo /tmp/pl 16384
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
static char buf[1<<16];
static long vm(const char *key){int fd=open("/proc/vmstat",O_RDONLY);int n=read(fd,buf,sizeof buf-1);close(fd);buf[n]=0;size_t l=strlen(key);for(char*p=buf;p&&*p;p=strchr(p,'\n'),p=p?p+1:p)if(!strncmp(p,key,l)&&p[l]==' ')return atol(p+l+1);return -1;}
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(int argc,char**argv){
  long pages=argc>1?atol(argv[1]):16384;
  char*a=mmap(NULL,pages*4096,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
  for(long i=0;i<pages;i++)a[i*4096]=1;
  long o0=vm("pswpout");
  double t0=now();
  madvise(a,pages*4096,MADV_PAGEOUT);
  double t1=now();
  long wb=vm("nr_writeback"); long o1=vm("pswpout");
  double t2;
  while(1){ if(vm("nr_writeback")==0)break; }
  t2=now();
  printf("pages %ld pswpout %ld madvise %.0f ns/page, nr_writeback after madvise %ld, all done after %.0f us\n",pages,o1-o0,(t1-t0)/pages,wb,(t2-t0)/1000);
  /* single pages */
  for(int r=0;r<5;r++){
    a[r*4096]=2;
    double s=now(); madvise(a+r*4096,4096,MADV_PAGEOUT); double e=now(); long w=vm("nr_writeback");
    while(vm("nr_writeback")>0); double d=now();
    printf("one page: madvise %.1f us, nr_writeback right after %ld, done after %.1f us\n",(e-s)/1000,w,(d-s)/1000);
  }
  return 0;
}
