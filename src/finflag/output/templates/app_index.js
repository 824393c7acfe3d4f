(function(){
 // A choice in a filter applies at once; the search box applies on Enter (the form's own submit).
 var form=document.getElementById('filters');
 ['category','severity','review','voice'].forEach(function(id){
  document.getElementById(id).addEventListener('change',function(){form.submit();});});
})();
