import json, re, random, glob, collections
W='/tmp/work/'
CJK=re.compile(r'[\u4e00-\u9fff]')
def clean(s):
    s=s.replace('[換行]',' ')
    s=re.sub(r'\s+',' ',s.replace('\t',' ').replace('\r',' ').replace('\n',' ')).strip()
    return s
def ok(s): return 4<=len(s)<=300 and CJK.search(s)
def squad_qs(path):
    d=json.load(open(path,encoding='utf-8'))
    out=[]
    for art in d['data']:
        for p in art['paragraphs']:
            for qa in p['qas']: out.append(qa['question'])
    return out
src=collections.OrderedDict()
# 1 Kaohsiung FAQ
src['kcg_faq']=[x['text'] for x in json.load(open('/tmp/kcg_data.json',encoding='utf-8'))]
# 2 DRCD
src['drcd']=squad_qs(W+'DRCD_dev.json')+squad_qs(W+'DRCD_test.json')
# 3 CMRC2018
src['cmrc2018']=squad_qs(W+'cmrc_dev.json')+squad_qs(W+'cmrc_trial.json')
# 4 CrossWOZ user turns
cw=[]
for f in ['val.json','test.json']:
    d=json.load(open(W+f,encoding='utf-8'))
    for k in sorted(d):
        for m in d[k]['messages']:
            if m['role']=='usr': cw.append(m['content'])
src['crosswoz_usr']=cw
# 5 XQuAD zh
src['xquad_zh']=squad_qs(W+'xquad.zh.json')
# 6 chatterbot chinese: every utterance line in conversations
import yaml
cb=[]
for f in sorted(glob.glob(W+'chatterbot_*.yml')):
    y=yaml.safe_load(open(f,encoding='utf-8'))
    for conv in y.get('conversations',[]) or []:
        for u in conv:
            if isinstance(u,str): cb.append(u)
src['chatterbot_zh']=cb
caps={'kcg_faq':1000,'drcd':700,'cmrc2018':600,'crosswoz_usr':500,'xquad_zh':250}
src.pop('chatterbot_zh')
seen=set(); rows=[]; stats={}
for sid,lst in src.items():
    pool=[]; local=set()
    for s in lst:
        c=clean(s)
        if ok(c) and c not in local:
            local.add(c); pool.append(c)
    pool_sorted=sorted(pool)
    rng=random.Random(20261130)
    k=min(caps[sid],len(pool_sorted))
    pick=rng.sample(pool_sorted,k)
    n=0
    for c in pick:
        if c in seen: continue
        seen.add(c); rows.append((sid,c)); n+=1
    stats[sid]=(len(lst),len(pool),k,n)
with open('/tmp/negatives/negatives.tsv','w',encoding='utf-8') as f:
    for sid,c in rows: f.write(f'{sid}\t{c}\n')
for k,v in stats.items(): print(k,'raw=%d eligible_unique=%d sampled=%d written=%d'%v)
print('total',len(rows))
