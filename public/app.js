console.log("switchboard")
