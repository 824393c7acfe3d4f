(function(){
 // Keyboard review, the terminal's keys: c confirm, d dismiss, n note, s skip, b back (and q: all posts).
 // Each decision is POSTed at once and saved in the report folder's review.db; the row shows what was stored.
 var cfg=JSON.parse(document.getElementById('review-config').textContent);
 var rows=[].slice.call(document.querySelectorAll('#findings tbody tr'));
 var status=document.getElementById('status'),progress=document.getElementById('progress');
 if(!rows.length)return;
 function stateOf(row){return row.querySelector('td.review .badge').textContent;}
 var at=rows.findIndex(function(r){return stateOf(r)==='unreviewed';});if(at<0)at=0;
 function select(i){
  at=Math.max(0,Math.min(rows.length-1,i));
  rows.forEach(function(r,n){r.classList.toggle('current',n===at);});
  var id=rows[at].getAttribute('data-id');
  [].forEach.call(document.querySelectorAll('#source mark'),function(m){
   m.classList.toggle('current',(' '+m.getAttribute('data-finding')+' ').indexOf(' '+id+' ')>=0);});
  rows[at].scrollIntoView({block:'nearest'});
 }
 function show(row,d){
  var cell=row.querySelector('td.review');cell.textContent='';
  var badge=document.createElement('span');badge.className='badge b-'+d.state;badge.textContent=d.state;cell.appendChild(badge);
  if(d.note){var n=document.createElement('span');n.className='note-text';n.textContent=d.note;cell.appendChild(document.createTextNode(' '));cell.appendChild(n);}
  progress.textContent=rows.filter(function(r){return stateOf(r)!=='unreviewed';}).length+'/'+rows.length;
 }
 function say(text,ok){status.textContent=text;status.className=ok?'ok':'fail';}
 function send(row,action,note){
  var body=new URLSearchParams({finding:row.getAttribute('data-id'),action:action});
  if(note!==undefined)body.set('note',note);
  var headers={};headers[cfg.header]='1';
  return fetch(cfg.decide,{method:'POST',headers:headers,body:body}).then(function(r){
   return r.json().then(function(d){if(!r.ok)throw new Error(d.error||('HTTP '+r.status));return d;});
  }).then(function(d){show(row,d);say('saved: '+d.state+(d.note?' (note)':''),true);},
          function(e){say('not saved: '+e.message,false);});
 }
 function editNote(row){
  var cell=row.querySelector('td.review'),old=row.querySelector('.note-text');
  var input=document.createElement('input');input.id='note-input';input.value=old?old.textContent:'';
  input.placeholder='note, Enter to save, Esc to cancel';cell.appendChild(input);input.focus();
  input.addEventListener('keydown',function(e){
   e.stopPropagation();
   if(e.key==='Enter'){e.preventDefault();var v=input.value;input.remove();send(row,'note',v);}
   else if(e.key==='Escape'){input.remove();}
  });
 }
 rows.forEach(function(r,n){r.addEventListener('click',function(e){if(e.target.tagName!=='A')select(n);});});
 document.addEventListener('keydown',function(e){
  if(e.ctrlKey||e.metaKey||e.altKey||/^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName))return;
  var k=e.key.toLowerCase(),row=rows[at];
  if(k==='c'){send(row,'confirm');select(at+1);}
  else if(k==='d'){send(row,'dismiss');select(at+1);}
  else if(k==='n'){e.preventDefault();editNote(row);}
  else if(k==='s'){select(at+1);}
  else if(k==='b'){select(at-1);}
  else if(k==='q'){location.href=cfg.home;}
  else return;
 });
 select(at);
})();
