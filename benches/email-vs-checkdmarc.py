"""Side by side: checkdmarc and launchready's email stage against the same sandbox scenario.

Usage (one scenario per process: checkdmarc caches answers per domain name in-process):
    cargo build
    pip install checkdmarc
    for s in healthy spf-multiple ...; do python3 benches/email-vs-checkdmarc.py $s; done
"""
import subprocess, json, sys, os, signal, time, statistics
import checkdmarc, dns.nameserver
BIN=os.environ.get('LAUNCHREADY', 'target/debug/launchready')
def flatten(res):
    out=[]
    for key in ['spf','dmarc','mx','mta_sts','smtp_tls_reporting','bimi']:
        part=res.get(key) or {}
        if isinstance(part,dict):
            if part.get('error'): out.append(f"{key} error: {part['error']}")
            for w in part.get('warnings',[]) or []: out.append(f"{key} warning: {w}")
    return out
for n in sys.argv[1:]:
    p=subprocess.Popen([BIN,'demo','--serve','--scenario',n],stdout=subprocess.PIPE,text=True)
    args=None
    for line in p.stdout:
        if line.strip().startswith('launchready audit'):
            args=line.split()[2:]; break
    port=int(args[args.index('--dns-server')+1].split(':')[1])
    ns=[dns.nameserver.Do53Nameserver('127.0.0.1', port)]
    times=[]
    for i in range(3):
        t=time.time()
        res=checkdmarc.check_domains(['example.test'], nameservers=ns, timeout=1.0)
        times.append((time.time()-t)*1000)
    ours=[]
    for i in range(3):
        r=subprocess.run([BIN,'audit',*args,'--only','email','--format','json'],capture_output=True,text=True)
        rep=json.loads(r.stdout)
        ours.append([s for s in rep['stages'] if s['stage']=='email'][0]['duration_ms'])
    os.kill(p.pid, signal.SIGINT); p.wait()
    print(f"## {n}\n- checkdmarc {statistics.median(times):.0f} ms median; launchready email stage {statistics.median(ours)} ms median")
    print("- launchready: " + ', '.join(f['id'] for f in rep['findings']))
    for e in flatten(res): print("- checkdmarc " + e.replace('\n',' ')[:300])
