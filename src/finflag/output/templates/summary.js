(function(){
 /* Hover, focus or click a summary sentence: its source span lights up in the original text. */
 var pieces=[].slice.call(document.querySelectorAll('#source [data-start]'));
 function spans(el){return (el.getAttribute('data-sources')||'').split(' ').filter(Boolean).map(function(s){
  var p=s.split('-');return [+p[0],+p[1]];});}
 function light(el,on){var ss=spans(el),first=null;pieces.forEach(function(p){
  var a=+p.getAttribute('data-start'),b=+p.getAttribute('data-end');
  var hit=ss.some(function(s){return a>=s[0]&&b<=s[1];});
  if(hit){p.classList.toggle('src-hl',on);if(on&&!first)first=p;}});return first;}
 [].slice.call(document.querySelectorAll('.sum-s')).forEach(function(el){
  el.addEventListener('mouseenter',function(){light(el,true);});
  el.addEventListener('mouseleave',function(){if(!el.classList.contains('pinned'))light(el,false);});
  el.addEventListener('focus',function(){light(el,true);});
  el.addEventListener('blur',function(){el.classList.remove('pinned');light(el,false);});
  el.addEventListener('click',function(){el.classList.add('pinned');var f=light(el,true);
   if(f&&f.scrollIntoView)f.scrollIntoView({block:'nearest'});});
 });
})();
