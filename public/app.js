console.log('switchboard');
