"""The care-coordination network: organizations that share an installation, their members,
the directory listings they answer for, and which patients each may see."""
