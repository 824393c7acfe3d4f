(function(){
 var rows=[].slice.call(document.querySelectorAll('#files tbody tr'));
 var q=document.getElementById('q'),c=document.getElementById('cat'),s=document.getElementById('sev'),r=document.getElementById('rev');
 function apply(){var t=q.value.toLowerCase();var shown=0;rows.forEach(function(tr){
  var ok=(!t||tr.getAttribute('data-text').toLowerCase().indexOf(t)>=0)
   &&(!c.value||tr.getAttribute('data-cats').split(' ').indexOf(c.value)>=0)
   &&(!s.value||tr.getAttribute('data-sevs').split(' ').indexOf(s.value)>=0)
   &&(!r.value||tr.getAttribute('data-review').split(' ').indexOf(r.value)>=0);
  tr.style.display=ok?'':'none';if(ok)shown++;});document.getElementById('shown').textContent=shown;}
 [q,c,s,r].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});apply();
})();
