/** Control and display: the text protocol of seed 004 and the web console. */
package org.silo.control;
